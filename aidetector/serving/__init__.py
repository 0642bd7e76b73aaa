"""The model server: the SageMaker inference container's HTTP contract (/ping, /invocations) over the Detector."""
