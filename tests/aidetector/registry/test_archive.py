"""model.tar.gz in and out: files at the archive root, hidden files left out, unsafe members refused."""

from __future__ import annotations

import hashlib
import io
import tarfile

import pytest

from aidetector.registry.archive import pack, unpack


def test_pack_then_unpack_gives_the_same_files(tmp_path):
    folder = tmp_path / "model"
    (folder / "sub").mkdir(parents=True)
    (folder / "manifest.json").write_text('{"version": "v1"}')
    (folder / "sub" / "weights.bin").write_bytes(bytes(range(256)) * 10)
    (folder / ".manifest.json.tmp").write_text("left over by an interrupted write")
    archive = tmp_path / "model.tar.gz"
    digest = pack(folder, archive)
    assert digest == hashlib.sha256(archive.read_bytes()).hexdigest()
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["manifest.json", "sub/weights.bin"]  # at the root, as SageMaker wants
    out = unpack(archive, tmp_path / "out")
    assert (out / "manifest.json").read_text() == '{"version": "v1"}'
    assert (out / "sub" / "weights.bin").read_bytes() == bytes(range(256)) * 10
    assert not (out / ".manifest.json.tmp").exists()


def _archive_with(tmp_path, member: tarfile.TarInfo, data: bytes = b"") -> object:
    path = tmp_path / "evil.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(member, io.BytesIO(data) if data else None)
    return path


def _file(name: str) -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.size = 4
    return member


def test_a_member_climbing_out_of_the_destination_is_refused(tmp_path):
    with pytest.raises(tarfile.FilterError):
        unpack(_archive_with(tmp_path, _file("../outside.txt"), b"evil"), tmp_path / "dest")
    assert not (tmp_path / "outside.txt").exists()


def test_an_absolute_member_lands_inside_the_destination(tmp_path):
    unpack(_archive_with(tmp_path, _file("/tmp/evil.txt"), b"evil"), tmp_path / "dest")
    assert (tmp_path / "dest" / "tmp" / "evil.txt").read_bytes() == b"evil"


def test_a_link_out_of_the_destination_is_refused(tmp_path):
    link = tarfile.TarInfo("model.safetensors")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    with pytest.raises(tarfile.FilterError):
        unpack(_archive_with(tmp_path, link), tmp_path / "dest")
