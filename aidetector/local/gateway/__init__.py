"""The local API Gateway: keys, usage plans (throttle + quota) and proxy events around the Lambda handler."""
