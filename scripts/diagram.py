"""The architecture diagram, from one source: writes `docs/diagram.drawio` (editable) and `docs/diagram.svg` (README).

Each box names the Pulumi resource types it stands for, so a test can check the picture against a mocked run of the
Pulumi program (tests/docs/test_diagram.py): a component added to the infrastructure must be added here.

    .venv/bin/python scripts/diagram.py           # rewrite both files
    .venv/bin/python scripts/diagram.py --check   # exit 1 if either file is out of date
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parents[1]
DRAWIO = ROOT / "docs" / "diagram.drawio"
SVG = ROOT / "docs" / "diagram.svg"
WIDTH, HEIGHT = 1580, 1000
FONT = "Helvetica, Arial, sans-serif"

# Fill and stroke per kind of box: AWS service families, things outside Pulumi, and people/CI.
PALETTE = {
    "compute": ("#FFF4E5", "#D86613"),
    "network": ("#F3EAFB", "#8C4FFF"),
    "ml": ("#E6F6F1", "#01A88D"),
    "storage": ("#EAF5E4", "#3F8624"),
    "ops": ("#FCE9EF", "#E7157B"),
    "security": ("#FDECEC", "#DD344C"),
    "external": ("#F2F3F3", "#545B64"),
    "managed": ("#FFFFFF", "#879196"),
}
GROUP_STYLE = ("#FFFFFF", "#7D8998")
AWS_STYLE = ("#FAFAFA", "#232F3E")


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    x: int
    y: int
    w: int
    h: int
    types: tuple[str, ...] = ()  # the Pulumi component this group is


@dataclass(frozen=True)
class Node:
    id: str
    label: str  # lines separated by "\n"; the first is the title
    x: int
    y: int
    w: int
    h: int
    kind: str
    types: tuple[str, ...] = ()  # Pulumi resource types drawn as this box
    dashed: bool = False  # not created by Pulumi (created at run time, or outside AWS)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    exit: tuple[float, float]  # where the line leaves the source, as fractions of its box (0..1, 0..1)
    entry: tuple[float, float]
    via: tuple[tuple[int, int], ...] = field(default_factory=tuple)
    dashed: bool = False
    label_at: float = 0.5  # where the label sits along the line (0: source, 1: target)
    label_offset: tuple[int, int] | None = None  # moves the label off the line; None: only if it does not fit


T = "aws:apigateway/"
# Columns (x, width) of the layout: outside AWS on the left, five inside, outside AWS on the right.
L, A, B, C, D, E, R = (20, 170), (270, 180), (490, 190), (750, 170), (955, 150), (1185, 170), (1410, 156)


def node(
    id: str, label: str, column: tuple[int, int], y: int, h: int, kind: str, *types: str, dashed: bool = False
) -> Node:
    return Node(id, label, column[0], y, column[1], h, kind, types, dashed)


# fmt: off
AWS_BOX = Group("aws", "AWS account · one stack per region (dev: us-east-1, prod: ap-southeast-2, eu-west-1)",
                230, 20, 1160, 965)
GROUPS = (
    Group("web", "WebService (hosting hidden behind one component)", 250, 50, 450, 190,
          ("aidetector:index:WebService",)),
    Group("shared", "in every component", 730, 130, 400, 110),
    Group("api", "PublicApi", 250, 270, 450, 290, ("aidetector:index:PublicApi",)),
    Group("hosting", "ModelHosting", 730, 270, 400, 290, ("aidetector:index:ModelHosting",)),
    Group("storage", "Storage", 1170, 50, 200, 510, ("aidetector:index:Storage",)),
    Group("ops", "Operations", 250, 590, 1120, 375, ("aidetector:index:Operations",)),
)
NODES = (
    node("browser", "Browser\nvisitors of the web UI", L, 85, 70, "external"),
    node("client", "API clients\ncurl, scripts", L, 322, 70, "external"),
    node("github", "GitHub Actions\nrelease (OIDC role)", R, 80, 80, "external"),
    node("slack", "Slack\nalerts channel", R, 905, 60, "external"),
    node("web_service", "ECS Express Mode\nStreamlit UI · ALB (WebSocket)\nFargate tasks, autoscaled", A, 75, 90,
         "compute", "aws:ecs/expressGatewayService:ExpressGatewayService"),
    node("web_key", "SSM web-api-key\nSecureString → ECS secret", B, 165, 60, "security",
         "aws:ssm/parameter:Parameter"),
    node("rest_api", "API Gateway REST API\nstage prod · key on every route\nCORS preflight (MOCK)\n"
         "4XX/5XX · access logs · throttle", A, 300, 114, "network",
         f"{T}restApi:RestApi", f"{T}resource:Resource", f"{T}method:Method", f"{T}integration:Integration",
         f"{T}methodResponse:MethodResponse", f"{T}integrationResponse:IntegrationResponse", f"{T}response:Response",
         f"{T}deployment:Deployment", f"{T}stage:Stage", f"{T}methodSettings:MethodSettings", f"{T}account:Account"),
    node("usage_plans", "Usage plans free / pro / web\nAPI keys (web key: web)\nresources/plans.toml", A, 450, 85,
         "network",
         f"{T}usagePlan:UsagePlan", f"{T}apiKey:ApiKey", f"{T}usagePlanKey:UsagePlanKey"),
    node("api_lambda", "Lambda api\nlambda/handler.py\ntimeout ≤ 29 s\nreserved concurrency (opt.)", B, 300, 114,
         "compute",
         "aws:lambda/function:Function", "aws:lambda/permission:Permission", "aidetector:index:PythonFunction"),
    node("waf", "AWS WAF rate rules\nper client IP: API stage\nand the web UI's ALB", B, 455, 80, "security",
         "aws:wafv2/webAcl:WebAcl", "aws:wafv2/webAclAssociation:WebAclAssociation"),
    node("iam", "IAM roles · one per service\nleast privilege, boundary\ntrust: this account", C, 160, 65,
         "security",
         "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"),
    node("logs", "CloudWatch Logs\nretention per stack", D, 160, 65, "ops", "aws:cloudwatch/logGroup:LogGroup"),
    node("endpoint", "SageMaker endpoint\naidetector-<stack>\nvariant AllTraffic\nserverless or instances",
         C, 300, 114, "ml", "aws:sagemaker/endpoint:Endpoint"),
    node("model", "First model + config\n(kept; then the deploy\nstep's) serve:<git SHA>\nmodels/<version>/", D, 300,
         114, "ml",
         "aws:sagemaker/model:Model", "aws:sagemaker/endpointConfiguration:EndpointConfiguration"),
    node("autoscaling", "Auto Scaling\ninvocations per instance", C, 455, 75, "ml",
         "aws:appautoscaling/target:Target", "aws:appautoscaling/policy:Policy"),
    node("sm_role", "SageMaker roles\nendpoint · batch ·\npipeline (deploy step)", D, 455, 75, "security",
         "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"),
    node("ecr", "ECR train / serve / web\nimmutable tags · scan on push\ndeployed-* kept, else last N", E, 75, 90,
         "storage",
         "aws:ecr/repository:Repository", "aws:ecr/lifecyclePolicy:LifecyclePolicy"),
    node("bucket", "S3 bucket\ndata/\nmodels/<UTC version>/\nmodels/latest/\nbatch/ · pipeline/\n"
         "private · SSE · versioned\nTLS only", E, 330, 195, "storage",
         "aws:s3/bucket:Bucket", "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
         "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws:s3/bucketVersioning:BucketVersioning",
         "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
         "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketPolicy:BucketPolicy"),
    node("scheduler", "EventBridge Scheduler\nbatch: weekly (Mon 03:00)\nretrain: monthly", A, 620, 80, "ops",
         "aws:scheduler/schedule:Schedule"),
    node("jobs", "Lambda jobs\nlambda/jobs.py", B, 620, 80, "compute",
         "aws:lambda/function:Function", "aidetector:index:PythonFunction"),
    node("transform", "Batch Transform\nendpoint's container\nunder the batch role", D, 620, 80, "managed",
         dashed=True),
    node("pipeline", "SageMaker Pipeline\naidetector-<stack>-train\ntrain → evaluate → gate\n→ promote → deploy",
         E, 620, 100, "managed", dashed=True),
    node("alarms", "CloudWatch alarms\nAPI 5XX rate · latency p90\nendpoint 5XX · model latency\nLambda errors",
         B, 790, 96, "ops", "aws:cloudwatch/metricAlarm:MetricAlarm"),
    Node("sns", "SNS alarm topic", 745, 830, 150, 64, "ops",
         ("aws:sns/topic:Topic", "aws:sns/topicSubscription:TopicSubscription")),
    node("relay", "Lambda alarm relay\nalarm_relay.py", D, 830, 64, "compute",
         "aws:lambda/function:Function", "aws:lambda/permission:Permission", "aidetector:index:PythonFunction"),
    node("ssm", "SSM parameters\nimage-tags/* · model-version\nendpoint-variant\nslack-webhook-url", E, 820, 84,
         "security",
         "aws:ssm/parameter:Parameter"),
)
EDGES = (
    Edge("browser", "web_service", "HTTPS", (1, 0.5), (0, 0.5)),
    Edge("web_key", "web_service", "API key", (0.3, 0), (1, 0.85)),
    Edge("web_service", "rest_api", "POST /v1/detect + x-api-key", (0.5, 1), (0.5, 0)),
    Edge("client", "rest_api", "x-api-key", (1, 0.5), (0, 0.5)),
    Edge("usage_plans", "rest_api", "rate · burst · quota", (0.5, 0), (0.5, 1), dashed=True),
    Edge("rest_api", "api_lambda", "proxy", (1, 0.5), (0, 0.5)),
    Edge("waf", "rest_api", "rate rule", (0, 0.3), (1, 0.92)),
    Edge("api_lambda", "endpoint", "invoke", (1, 0.5), (0, 0.5)),
    Edge("model", "endpoint", "", (0, 0.5), (1, 0.5)),
    Edge("autoscaling", "endpoint", "instances", (0.5, 0), (0.5, 1), dashed=True),
    Edge("ecr", "web_service", "web image", (0, 0.4), (1, 0.4)),
    Edge("ecr", "model", "serve image", (0.2, 1), (1, 0.2), via=((1219, 323),), label_at=0.3),
    Edge("bucket", "model", "artifact", (0, 0.2), (1, 0.6)),
    Edge("github", "ecr", "push", (0, 0.5), (1, 0.5)),
    Edge("github", "pipeline", "upsert + start", (0.5, 1), (1, 0.4), via=((1488, 660),)),
    Edge("pipeline", "bucket", "data → models/", (0.5, 0), (0.5, 1)),
    Edge("pipeline", "endpoint", "deploy: UpdateEndpoint", (0, 0.9), (1, 0.8), via=((937, 710), (937, 391)),
         label_at=0.2),
    Edge("pipeline", "ssm", "model-version", (0.5, 1), (0.5, 0)),
    Edge("scheduler", "jobs", "{job}", (1, 0.5), (0, 0.5)),
    Edge("jobs", "transform", "CreateTransformJob", (1, 0.4), (0, 0.4)),
    Edge("jobs", "pipeline", "StartPipelineExecution", (0.5, 1), (0.3, 1), via=((585, 750), (1236, 750))),
    Edge("transform", "bucket", "batch in → out", (1, 0.25), (0, 0.8), via=((1145, 640), (1145, 486)),
         label_at=0.5, label_offset=(-42, 0)),
    Edge("rest_api", "alarms", "metrics", (0, 0.8), (0, 0.5), via=((258, 391), (258, 838)), dashed=True,
         label_at=0.72, label_offset=(0, 0)),
    Edge("endpoint", "alarms", "metrics", (0, 0.8), (1, 0.25), via=((715, 391), (715, 814)), dashed=True),
    Edge("alarms", "sns", "alarm / OK", (1, 0.75), (0, 0.5)),
    Edge("sns", "relay", "notify", (1, 0.5), (0, 0.5)),
    Edge("ssm", "relay", "webhook URL", (0, 0.5), (1, 0.5)),
    Edge("relay", "slack", "HTTPS webhook", (0.5, 1), (0, 0.5), via=((1030, 935),)),
)
# fmt: on


def resource_types() -> set[str]:
    """Every Pulumi type the diagram shows (resources and components)."""
    return {t for item in (*GROUPS, *NODES) for t in item.types}


def _nodes() -> dict[str, Node]:
    return {node.id: node for node in NODES}


def _anchor(node: Node, at: tuple[float, float]) -> tuple[float, float]:
    return node.x + node.w * at[0], node.y + node.h * at[1]


def edge_points(edge: Edge) -> list[tuple[float, float]]:
    nodes = _nodes()
    return [_anchor(nodes[edge.source], edge.exit), *edge.via, _anchor(nodes[edge.target], edge.entry)]


def _label_width(label: str) -> float:
    return 6.2 * len(label) + 8


def label_placement(edge: Edge) -> tuple[tuple[float, float], tuple[int, int]]:
    """The point `label_at` along the line, and the label's offset from it (draw.io takes both as they are)."""
    points = edge_points(edge)
    segments = list(itertools.pairwise(points))
    lengths = [abs(b[0] - a[0]) + abs(b[1] - a[1]) for a, b in segments]
    remaining = edge.label_at * sum(lengths)
    for (a, b), length in zip(segments, lengths, strict=True):
        if remaining <= length or (a, b) == segments[-1]:
            t = remaining / length if length else 0.0
            point = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
            break
        remaining -= length
    if edge.label_offset is not None:
        return point, edge.label_offset
    if _label_width(edge.label) + 10 <= length:
        return point, (0, 0)
    horizontal = abs(b[0] - a[0]) >= abs(b[1] - a[1])
    return point, (0, -11) if horizontal else (round(_label_width(edge.label) / 2) + 4, 0)


# ---- draw.io ------------------------------------------------------------------------------------------------------


def _html_label(label: str) -> str:
    title, *rest = label.split("\n")
    return "<b>" + escape(title) + "</b>" + "".join("<br>" + escape(line) for line in rest)


def drawio() -> str:
    """The draw.io file: groups and boxes as cells (with `pulumi_types` attributes), edges with their waypoints."""
    cells = ['<mxCell id="0"/>', '<mxCell id="1" parent="0"/>']

    def box(item: Group | Node, style: str, label: str) -> str:
        geometry = f'<mxGeometry x="{item.x}" y="{item.y}" width="{item.w}" height="{item.h}" as="geometry"/>'
        cell = f'<mxCell style={quoteattr(style)} vertex="1" parent="1">{geometry}</mxCell>'
        types = " ".join(item.types)
        return (
            f"<object id={quoteattr(item.id)} label={quoteattr(label)} pulumi_types={quoteattr(types)}>{cell}</object>"
        )

    for group in (AWS_BOX, *GROUPS):
        fill, stroke = AWS_STYLE if group is AWS_BOX else GROUP_STYLE
        style = (
            f"rounded=0;whiteSpace=wrap;html=1;fillColor={fill};strokeColor={stroke};"
            f"dashed={int(group is not AWS_BOX)};verticalAlign=top;align=left;spacingLeft=6;fontStyle=1;fontSize=11;"
        )
        cells.append(box(group, style, escape(group.label)))
    for node in NODES:
        fill, stroke = PALETTE[node.kind]
        style = (
            f"rounded=1;arcSize=8;whiteSpace=wrap;html=1;fillColor={fill};strokeColor={stroke};"
            f"dashed={int(node.dashed)};fontSize=11;"
        )
        cells.append(box(node, style, _html_label(node.label)))
    for index, edge in enumerate(EDGES):
        style = (
            "endArrow=block;endFill=1;html=1;rounded=0;edgeStyle=none;fontSize=10;labelBackgroundColor=#FFFFFF;"
            f"strokeColor=#545B64;dashed={int(edge.dashed)};"
            f"exitX={edge.exit[0]};exitY={edge.exit[1]};exitDx=0;exitDy=0;"
            f"entryX={edge.entry[0]};entryY={edge.entry[1]};entryDx=0;entryDy=0;"
        )
        points = "".join(f'<mxPoint x="{x}" y="{y}"/>' for x, y in edge.via)
        _, (dx, dy) = label_placement(edge)
        geometry = (
            f'<mxGeometry x="{2 * edge.label_at - 1:g}" relative="1" as="geometry">'
            f'<Array as="points">{points}</Array><mxPoint x="{dx}" y="{dy}" as="offset"/></mxGeometry>'
        )
        cells.append(
            f'<mxCell id="edge-{index}" value={quoteattr(escape(edge.label))} style={quoteattr(style)} edge="1" '
            f'parent="1" source={quoteattr(edge.source)} target={quoteattr(edge.target)}>{geometry}</mxCell>'
        )
    body = "\n        ".join(cells)
    return (
        '<mxfile host="scripts/diagram.py" version="24.0.0">\n'
        '  <diagram id="aidetector-architecture" name="aidetector on AWS">\n'
        f'    <mxGraphModel dx="{WIDTH}" dy="{HEIGHT}" grid="1" gridSize="10" guides="1" tooltips="1" connect="1" '
        f'arrows="1" fold="1" page="1" pageScale="1" pageWidth="{WIDTH}" pageHeight="{HEIGHT}" math="0" shadow="0">\n'
        "      <root>\n"
        f"        {body}\n"
        "      </root>\n"
        "    </mxGraphModel>\n"
        "  </diagram>\n"
        "</mxfile>\n"
    )


# ---- SVG ----------------------------------------------------------------------------------------------------------


def _text(x: float, y: float, text: str, size: int, weight: str = "normal", anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="{weight}" text-anchor="{anchor}">'
        f"{escape(text)}</text>"
    )


def svg() -> str:
    """The same picture as static SVG (what the README shows)."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'font-family="{FONT}">',
        "<title>aidetector on AWS: architecture</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#545B64"/></marker></defs>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#FFFFFF"/>',
    ]
    for group in (AWS_BOX, *GROUPS):
        fill, stroke = AWS_STYLE if group is AWS_BOX else GROUP_STYLE
        dash = "" if group is AWS_BOX else ' stroke-dasharray="6 4"'
        parts.append(
            f'<rect x="{group.x}" y="{group.y}" width="{group.w}" height="{group.h}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.2"{dash}/>'
        )
        parts.append(_text(group.x + 8, group.y + 15, group.label, 11, "bold", "start"))
    for node in NODES:
        fill, stroke = PALETTE[node.kind]
        dash = ' stroke-dasharray="5 3"' if node.dashed else ""
        parts.append(
            f'<rect x="{node.x}" y="{node.y}" width="{node.w}" height="{node.h}" rx="7" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"{dash}/>'
        )
        lines = node.label.split("\n")
        top = node.y + node.h / 2 - (len(lines) - 1) * 7.5 + 4
        for i, line in enumerate(lines):
            parts.append(_text(node.x + node.w / 2, top + 15 * i, line, 11, "bold" if i == 0 else "normal"))
    for edge in EDGES:
        points = edge_points(edge)
        path = " ".join(f"{x:.0f},{y:.0f}" for x, y in points)
        dash = ' stroke-dasharray="5 4"' if edge.dashed else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="#545B64" stroke-width="1.3"{dash} '
            'marker-end="url(#arrow)"/>'
        )
    for edge in EDGES:  # labels last, above every line
        (x, y), (dx, dy) = label_placement(edge)
        x, y, width = x + dx, y + dy, _label_width(edge.label)
        parts.append(
            f'<rect x="{x - width / 2:.0f}" y="{y - 8:.0f}" width="{width:.0f}" height="15" fill="#FFFFFF" '
            'opacity="0.9"/>'
        )
        parts.append(_text(x, y + 3.5, edge.label, 10))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare the committed files with the source")
    args = parser.parse_args(argv)
    outputs = {DRAWIO: drawio(), SVG: svg()}
    if args.check:
        stale = [path for path, text in outputs.items() if not path.is_file() or path.read_text("utf-8") != text]
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run .venv/bin/python scripts/diagram.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
