"""The ML core: data, windows, training, calibration, evaluation, artifacts and the Detector."""
