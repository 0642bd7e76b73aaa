"""The architecture diagram: valid draw.io, up to date with its source, and never out of step with the Pulumi program.

The resource types come from mocked runs of the real program (tests/infra_pulumi/program.py), so a resource added
to the infrastructure without a box in `scripts/diagram.py` fails here - and so does a box for something removed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from types import ModuleType

import pytest

from tests.by_path import load_module
from tests.infra_pulumi.program import REPO_ROOT, STACKS, run_program

DRAWIO = REPO_ROOT / "docs" / "diagram.drawio"
SVG = REPO_ROOT / "docs" / "diagram.svg"


def load_script() -> ModuleType:
    return load_module(REPO_ROOT / "scripts" / "diagram.py", "aidetector_diagram_script")


@pytest.fixture(scope="module")
def drawio() -> ET.Element:
    return ET.parse(DRAWIO).getroot()


def program_types() -> set[str]:
    """Every resource and component type the program declares, in any committed stack or in the bootstrap run."""
    runs = [run_program(stack) for stack in STACKS] + [
        run_program("dev", overrides=(("aidetector:bootstrap", "true"),))
    ]
    return {type_ for run in runs for type_ in run.types}


def diagram_types(drawio: ET.Element) -> set[str]:
    return {t for element in drawio.iter("object") for t in element.get("pulumi_types", "").split()}


def test_drawio_file_is_a_draw_io_model(drawio: ET.Element) -> None:
    assert drawio.tag == "mxfile"
    (diagram,) = drawio.findall("diagram")
    model = diagram.find("mxGraphModel")
    assert model is not None
    root = model.find("root")
    assert root is not None
    ids = [element.get("id") for element in root if element.tag in ("mxCell", "object")]
    assert len(ids) == len(set(ids)) and {"0", "1"} <= set(ids)
    vertices = [element for element in root.iter("mxCell") if element.get("vertex") == "1"]
    edges = [element for element in root.iter("mxCell") if element.get("edge") == "1"]
    assert len(vertices) > 25 and len(edges) > 20
    for cell in vertices + edges:
        assert cell.find("mxGeometry") is not None
    for edge in edges:
        assert edge.get("source") in ids and edge.get("target") in ids, edge.get("id")


def test_every_resource_type_of_the_program_is_in_the_diagram(drawio: ET.Element) -> None:
    missing = program_types() - diagram_types(drawio)
    assert not missing, f"add these Pulumi types to a box in scripts/diagram.py: {sorted(missing)}"


def test_the_diagram_shows_nothing_the_program_does_not_create(drawio: ET.Element) -> None:
    stale = diagram_types(drawio) - program_types()
    assert not stale, f"scripts/diagram.py names types the program no longer creates: {sorted(stale)}"


def test_committed_files_are_generated_from_the_script() -> None:
    script = load_script()
    assert DRAWIO.read_text("utf-8") == script.drawio()
    assert SVG.read_text("utf-8") == script.svg()
    assert script.main(["--check"]) == 0


def test_svg_shows_the_same_boxes_as_the_drawio_file(drawio: ET.Element) -> None:
    svg = ET.parse(SVG).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {element.text for element in svg.iter("{http://www.w3.org/2000/svg}text")}
    titles = set()
    for element in drawio.iter("object"):
        label = element.get("label", "")
        titles.add(label.split("<br>")[0].removeprefix("<b>").removesuffix("</b>").replace("&amp;", "&"))
    assert titles and titles <= texts
