import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from nemt.cli import app
from tests.geo.hand_map import NODES

runner = CliRunner()


def test_route_between_zip_codes_prints_json():
    result = runner.invoke(app, ["geo", "route", "80203", "80521"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) == {"miles", "minutes", "engine"}
    assert document["engine"] == "estimator" and 55 < document["miles"] < 75


def test_route_takes_lat_lon():
    result = runner.invoke(app, ["geo", "route", "39.7392,-104.9903", "80521"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("origin, destination, message", [
    ("80203", "00000", "to: 00000 is not a known ZIP code"),
    ("8020", "80521", "from: '8020' is neither a ZIP code nor 'lat,lon'"),
    ("39.7,-104.9,1", "80521", "from: '39.7,-104.9,1' is not 'lat,lon'"),
    ("80203", "95,-104", "to: '95,-104': lat 95.0 is outside -90..90"),
])
def test_bad_places_exit_2_with_the_reason_on_stderr(origin, destination, message):
    result = runner.invoke(app, ["geo", "route", origin, destination])
    assert result.exit_code == 2
    assert message in result.stderr and result.stdout == ""


def test_import_osm_then_route_on_the_road_graph(hand_map_file, tmp_path):
    graph = tmp_path / "roads-CO.npz"
    result = runner.invoke(app, ["geo", "import-osm", str(hand_map_file), "--state", "CO", "--out", str(graph)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[0])["nodes"] == 7
    a, c = (",".join(map(str, NODES[n])) for n in ("A", "C"))
    result = runner.invoke(app, ["geo", "route", a, c, "--graph", str(graph)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["engine"] == "road" and document["miles"] == pytest.approx(1.382, abs=0.001)


def test_import_of_a_missing_file_exits_2(tmp_path):
    result = runner.invoke(app, ["geo", "import-osm", str(tmp_path / "none.osm.pbf"), "--state", "CO"])
    assert result.exit_code == 2 and "map:" in result.stderr


def test_the_installed_command_exits_2_on_an_unknown_zip():
    done = subprocess.run([sys.executable, "-m", "nemt.cli", "geo", "route", "80203", "00000"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "00000 is not a known ZIP code" in done.stderr


def test_a_missing_graph_file_exits_2(tmp_path):
    result = runner.invoke(app, ["geo", "route", "80203", "80521", "--graph", str(tmp_path / "none.npz")])
    assert result.exit_code == 2 and "map:" in result.stderr and "import-osm" in result.stderr


def test_zip_command():
    result = runner.invoke(app, ["geo", "zip", "80909"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["county"] == "El Paso"
    assert runner.invoke(app, ["geo", "zip", "ABCDE"]).exit_code == 2
