from __future__ import annotations

from pathlib import Path

import pytest

from nemt.scheduling import InstanceFormatError, read_bks, read_cordeau


def test_every_instance_file_parses(darp_dir: Path) -> None:
    files = sorted(darp_dir.rglob("*.txt"))
    assert len(files) == 48
    bks = read_bks(darp_dir / "bks.csv")
    for path in files:
        inst = read_cordeau(path)
        n = inst.num_requests
        assert inst.name in bks
        assert inst.travel_time.shape == (2 * n + 2, 2 * n + 2)
        for i, req in enumerate(inst.requests, start=1):
            assert (req.pickup_location, req.dropoff_location) == (i, n + i)
            assert req.load[0] >= 1
        v = inst.vehicles[0]
        assert v.max_route_duration == v.shift.latest  # T is both duration limit and horizon


def test_a2_16_header(darp_dir: Path) -> None:
    inst = read_cordeau(darp_dir / "cordeau2006" / "a2-16.txt")
    assert inst.num_vehicles == 2 and inst.num_requests == 16
    assert inst.vehicles[0].capacity == (3,)
    assert inst.requests[0].max_ride_time == 30


@pytest.mark.parametrize(
    "mutate, line",
    [
        (lambda lines: lines.__setitem__(0, "2 16 480 3"), 1),
        (lambda lines: lines.__setitem__(4, lines[4] + " 7"), 5),
        (lambda lines: lines.__setitem__(7, "9 " + " ".join(lines[7].split()[1:])), 8),
        (lambda lines: lines.__setitem__(5, lines[5].replace("1440", "x")), 6),
        (lambda lines: lines.pop(), 35),
        (lambda lines: lines.append("99 0 0 0 0 0 0"), 36),
    ],
)
def test_malformed_file_names_the_line(darp_dir: Path, tmp_path: Path, mutate, line: int) -> None:
    lines = (darp_dir / "cordeau2006" / "a2-16.txt").read_text().splitlines()
    mutate(lines)
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(InstanceFormatError) as err:
        read_cordeau(bad)
    assert err.value.line == line
    assert f"line {line}" in str(err.value)
