"""The public API's request logic, shared by the Lambda (`lambda/handler.py`) and the local gateway emulator.

Standard library and boto3 only (both are in the Lambda runtime), so the API's deployment package is this folder,
`aidetector/__init__.py` and the handler file: no model code, no pydantic.
"""
