"""Train → evaluate → gate → register → promote → deploy: locally (`run_local`) and as a SageMaker Pipeline."""
