"""What runs only on a laptop: the API Gateway emulator (`gateway/`), sagemaker-runtime's path on the model
server (`runtime`), and `aidetector up`, which starts and supervises the whole local stack (`up`)."""
