"""Faults on the path gateway -> handler -> model server: model down, model hung."""

import socket
import threading

import requests

from tests.conftest import AI_WORDS
from tests.integration.servers import free_port, gateway, model_server

TEXT = " ".join(AI_WORDS * 2)


def test_model_down_gives_503_json_and_recovers(tiny_artifact, tmp_path, plans_file):
    from aidetector.local.gateway.keys import KeyStore
    from aidetector.plans import load_plans

    model = model_server(tiny_artifact)
    api = gateway(model.url, tmp_path, plans_file).start()
    key = KeyStore(tmp_path / "keys.sqlite3", load_plans(str(plans_file)).plans).create("k", "free")
    try:
        down = requests.post(api.url + "/v1/detect", json={"input_text": TEXT}, headers={"x-api-key": key}, timeout=30)
        assert down.status_code == 503 and down.json()["error"]["code"] == "model_unavailable"
        model.start()
        back = requests.post(api.url + "/v1/detect", json={"input_text": TEXT}, headers={"x-api-key": key}, timeout=30)
        assert back.status_code == 200
    finally:
        api.stop()
        model.stop()


def test_hung_model_gives_504_timeout(tmp_path, plans_file):
    """A listener that accepts and never answers stands in for a hung SageMaker endpoint."""
    from aidetector.local.gateway.keys import KeyStore
    from aidetector.plans import load_plans

    port = free_port()
    listener = socket.socket()
    listener.bind(("127.0.0.1", port))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    api = gateway(f"http://127.0.0.1:{port}", tmp_path, plans_file, {"AIDETECTOR_GATEWAY_READ_TIMEOUT_S": "1"}).start()
    key = KeyStore(tmp_path / "keys.sqlite3", load_plans(str(plans_file)).plans).create("k", "free")
    try:
        answer = requests.post(
            api.url + "/v1/detect", json={"input_text": TEXT}, headers={"x-api-key": key}, timeout=30
        )
        assert answer.status_code == 504
        assert answer.json()["error"]["code"] == "timeout"
    finally:
        api.stop()
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()
