"""The demo world's fixed facts: organizations, log-ins, invented names, counties, the network's providers and the
medical destinations; and the real ZIP codes of each county."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nemt.domain.actors import OrgKind, Role

SEED = 20261123
DEMO_PASSWORD_SUFFIX = "-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    organization: str
    program: str

    @property
    def password(self) -> str:
        return self.username + DEMO_PASSWORD_SUFFIX


CO_ORGS = [
    (OrgKind.DEPARTMENT, "Colorado Dept. of Health Care Policy & Financing (demo)"),
    (OrgKind.BROKER, "Front Range Ride Broker (demo SDE)"),
    (OrgKind.PROVIDER, "Mile High Mobility (demo)"),
    (OrgKind.PROVIDER, "Peak Wheelchair Vans (demo)"),
    (OrgKind.PROVIDER, "Pikes Peak Transport (demo)"),
    (OrgKind.FACILITY, "Denver Example Medical Center (demo)"),
]
CT_ORGS = [
    (OrgKind.DEPARTMENT, "Connecticut DSS (demo)"),
    (OrgKind.BROKER, "Nutmeg Ride Broker (demo)"),
    (OrgKind.PROVIDER, "Charter Oak Vans (demo)"),
    (OrgKind.FACILITY, "Hartford Example Hospital (demo)"),
]

DEMO_LOGINS = [
    DemoLogin("agent", Role.AGENT, CO_ORGS[1][1], "CO"),
    DemoLogin("dispatcher", Role.DISPATCHER, CO_ORGS[1][1], "CO"),
    DemoLogin("provider", Role.PROVIDER_ADMIN, CO_ORGS[2][1], "CO"),
    DemoLogin("driver", Role.DRIVER, CO_ORGS[2][1], "CO"),
    DemoLogin("facility", Role.FACILITY_SCHEDULER, CO_ORGS[5][1], "CO"),
    DemoLogin("auditor", Role.AUDITOR, CO_ORGS[0][1], "CO"),
    DemoLogin("admin", Role.ADMIN, CO_ORGS[0][1], "CO"),
    DemoLogin("ct-agent", Role.AGENT, CT_ORGS[1][1], "CT"),
    DemoLogin("ct-auditor", Role.AUDITOR, CT_ORGS[0][1], "CT"),
    DemoLogin("ct-dispatcher", Role.DISPATCHER, CT_ORGS[1][1], "CT"),
    DemoLogin("ct-provider", Role.PROVIDER_ADMIN, CT_ORGS[2][1], "CT"),
    DemoLogin("ct-driver", Role.DRIVER, CT_ORGS[2][1], "CT"),
]

FIRST = ["Ava", "Ben", "Cora", "Dev", "Elle", "Finn", "Gia", "Hal", "Iris", "Jon", "Kai", "Lena", "Milo", "Nia",
         "Omar", "Pia", "Quin", "Rosa", "Sam", "Tess", "Uma", "Vic", "Wren", "Xan", "Yara", "Zed"]
LAST = ["Sample", "Example", "Placeholder", "Testa", "Demo", "Fictive", "Mockley", "Synthe", "Pseudo", "Notreal"]
STREETS = ["Example St", "Sample Ave", "Demo Blvd", "Test Rd", "Placeholder Ln", "Fictional Way"]

# Counties for members: most in the broker (SDE) area, some where providers administer NEMT.
CO_COUNTIES = ["Denver", "Denver", "Adams", "Arapahoe", "Jefferson", "Boulder", "Larimer", "Weld", "Douglas",
               "El Paso", "El Paso", "Pueblo", "Mesa"]
CT_COUNTIES = ["Hartford", "New Haven", "Fairfield"]
NEEDS_MIX = [[], [], [], ["cannot-use-less-costly-modes"],
             ["cannot-use-less-costly-modes", "wheelchair-confined"],
             ["cannot-use-less-costly-modes", "wheelchair-confined"],
             ["cannot-use-less-costly-modes", "prone-or-supine"]]



# Transportation providers: (org name, specialty, modes, counties, fleet [(type, count, seats, wc, stretcher)]).
CO_PROVIDERS = [
    (CO_ORGS[2][1], "326", ["mobility-ambulatory", "taxi", "wheelchair-van"],
     ["Denver", "Adams", "Arapahoe", "Jefferson", "Douglas", "Broomfield"],
     [("sedan", 3, 4, 0, 0), ("mobility-ambulatory", 4, 6, 0, 0), ("wheelchair-van", 3, 4, 2, 0)]),
    (CO_ORGS[3][1], "326", ["wheelchair-van", "stretcher-van", "mobility-ambulatory"],
     ["Boulder", "Larimer", "Weld", "Denver", "Adams", "Jefferson", "Arapahoe", "Douglas", "Broomfield"],
     [("wheelchair-van", 4, 3, 2, 0), ("stretcher-van", 2, 2, 0, 1), ("ambulance", 1, 1, 0, 1)]),
    (CO_ORGS[4][1], "525", ["mobility-ambulatory", "wheelchair-van", "taxi"], ["El Paso", "Pueblo", "Mesa"],
     [("sedan", 2, 4, 0, 0), ("mobility-ambulatory", 2, 6, 0, 0), ("wheelchair-van", 2, 4, 2, 0)]),
]
# Connecticut's transportation provider, as the Colorado ones (drivers D401…, vehicles CH-01…), serving the three
# counties of the Connecticut members; Connecticut's modes (ct.toml: "The types of transportation services will not
# change") carried by sedans, mobility/ambulatory vans, wheelchair vans and a stretcher van.
CT_PROVIDERS = [
    (CT_ORGS[2][1], "326", ["taxi", "mobility-ambulatory", "wheelchair-van", "stretcher-van"],
     ["Hartford", "New Haven", "Fairfield"],
     [("sedan", 2, 4, 0, 0), ("mobility-ambulatory", 3, 6, 0, 0), ("wheelchair-van", 2, 4, 2, 0),
      ("stretcher-van", 1, 2, 0, 1)]),
]
CT_PROVIDER_INDEX = 3  # after the three Colorado providers: drivers D401…
PERMIT_FOR = {"sedan": "common-carrier", "mobility-ambulatory": "contract-carrier", "wheelchair-van": "common-carrier",
              "stretcher-van": "contract-carrier", "ambulance": "county-ambulance-licence"}
# Destinations: (name, zip, county, services)
CO_MEDICAL = [
    ("Denver Example Medical Center (demo)", "80204", "Denver", ["hospital", "dialysis", "primary-care"]),
    ("Aurora Example Dialysis (demo)", "80011", "Arapahoe", ["dialysis"]),
    ("Boulder Example Clinic (demo)", "80301", "Boulder", ["primary-care", "physical-therapy"]),
    ("Fort Collins Example Oncology (demo)", "80525", "Larimer", ["oncology", "primary-care"]),
    ("Colorado Springs Example Dialysis (demo)", "80909", "El Paso", ["dialysis", "primary-care"]),
    ("Pueblo Example Hospital (demo)", "81003", "Pueblo", ["hospital", "dialysis", "oncology"]),
    ("Grand Junction Example Clinic (demo)", "81501", "Mesa", ["primary-care", "dialysis"]),
    ("Lakewood Example Pharmacy (demo)", "80226", "Jefferson", ["pharmacy"]),
]

CT_MEDICAL = [
    ("Hartford Example Hospital (demo)", "06106", "Hartford", ["hospital", "dialysis", "primary-care"]),
    ("New Britain Example Dialysis (demo)", "06051", "Hartford", ["dialysis"]),
    ("New Haven Example Clinic (demo)", "06510", "New Haven", ["primary-care", "oncology", "physical-therapy"]),
    ("Waterbury Example Dialysis (demo)", "06708", "New Haven", ["dialysis", "primary-care"]),
    ("Bridgeport Example Medical Center (demo)", "06606", "Fairfield", ["hospital", "oncology", "dialysis"]),
    ("Stamford Example Clinic (demo)", "06902", "Fairfield", ["primary-care", "physical-therapy"]),
]

SERVICE_OF_NEEDS = ["dialysis", "primary-care", "oncology", "physical-therapy", "hospital"]


@cache
def zips_by_county(state: str) -> dict[str, list[dict]]:
    import zipcodes

    out: dict[str, list[dict]] = {}
    for z in zipcodes.filter_by(state=state):
        if z["zip_code_type"] == "STANDARD" and z["active"]:
            out.setdefault(z["county"].removesuffix(" County"), []).append(z)
    for zs in out.values():
        zs.sort(key=lambda z: z["zip_code"])
    return out

