"""Run by the linters' own virtualenv (.venv-lint, `make lint-tools`): parliament over IAM documents.

Reads {name: policy document} as JSON on stdin, prints [[name, issue, detail], ...] for every finding.
"""

import json
import sys

from parliament import analyze_policy_string

findings = []
for name, document in json.load(sys.stdin).items():
    policy = analyze_policy_string(json.dumps(document), include_community_auditors=False)
    findings += [[name, finding.issue, str(finding.detail)] for finding in policy.findings]
print(json.dumps(findings))
