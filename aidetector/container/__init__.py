"""The SageMaker container contract in one place: where SageMaker puts things (`settings`), the training job
(`training`: `IMAGE train`) and the inference server's start (`serving`: `IMAGE serve`).

`sagemaker/entrypoint.py` is the images' entry point and only dispatches here.
"""
