"""``nemt geo …``: ZIP lookups, distances, road graphs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from nemt.cli.errors import reported

geo_app = typer.Typer(no_args_is_help=True, help="Geography: ZIP lookups, distances, road graphs.")


@geo_app.command("route")
def route(
    origin: str = typer.Argument(..., metavar="FROM", help="ZIP code or 'lat,lon'"),
    destination: str = typer.Argument(..., metavar="TO", help="ZIP code or 'lat,lon'"),
    graph: Path | None = typer.Option(None, help="road graph file from `nemt geo import-osm` "
                                                 "(default: $NEMT_ROAD_GRAPH, else the estimator)"),
) -> None:
    """Miles and minutes from FROM to TO, as JSON."""
    from nemt.geo.engine_choice import default_engine, resolve_location, road_engine

    with reported():
        a = resolve_location(origin, "from")
        b = resolve_location(destination, "to")
        engine = road_engine(graph) if graph else default_engine()
        result = engine.route(a, b)
    print(json.dumps({"miles": round(result.miles, 3), "minutes": round(result.minutes, 2),
                      "engine": result.engine}))


@geo_app.command("zip")
def zip_facts(zip_code: str = typer.Argument(..., metavar="ZIP")) -> None:
    """Centroid, county, FIPS, state and time zone of a ZIP code, as JSON."""
    from nemt.geo.zips import county_fips_of_zip, lookup_zip

    with reported():
        record = lookup_zip(zip_code)
        fips = county_fips_of_zip(zip_code) if record.county else None
    print(json.dumps({"zip": record.zip_code, "lat": record.point.lat, "lon": record.point.lon,
                      "city": record.city, "county": record.county, "county_fips": fips,
                      "state": record.state, "timezone": record.timezone}))


@geo_app.command("import-osm")
def import_osm(
    file: Path = typer.Argument(..., help="OpenStreetMap extract, .osm.pbf or .osm (e.g. from Geofabrik)"),
    state: str = typer.Option(..., help="two-letter state the extract covers, e.g. CO"),
    out: Path | None = typer.Option(None, help="graph file to write (default: $NEMT_GEO_DIR or "
                                               "~/.cache/nemt/geo, as roads-STATE.npz)"),
) -> None:
    """Build the road graph of an OSM extract once and save it for the road engine."""
    from nemt.geo.engine_choice import default_graph_path
    from nemt.geo.roadgraph import build_road_graph

    with reported():
        graph = build_road_graph(file, state)
    path = graph.save(out or default_graph_path(state))
    print(json.dumps({"graph": str(path), **graph.meta}))
    print(f"use it with: export NEMT_ROAD_GRAPH={path}", file=sys.stderr)


def register(app: typer.Typer) -> None:
    app.add_typer(geo_app, name="geo")
