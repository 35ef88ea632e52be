"""Known road distances used to calibrate and test the estimator (see docs/geo.md, "Calibration").

Each pair runs between the ZIP codes of two town centres. ``road_miles`` is the usual published driving
distance between the two towns, rounded to the mile, cross-checked against the Interstate mileposts along
the route (Colorado's and Connecticut's Interstate exit numbers are, or were until recent renumbering,
mileposts); ``check`` shows that arithmetic. ``drive_minutes`` is a typical off-peak drive time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KnownRoute:
    from_zip: str
    to_zip: str
    label: str
    road_miles: float
    drive_minutes: float
    route: str
    check: str  # the milepost arithmetic behind road_miles


KNOWN_ROUTES: tuple[KnownRoute, ...] = (
    # Colorado: Front Range (I-25), plains (I-70, I-76), mountains (I-70 west of Denver).
    KnownRoute("80203", "80521", "Denver - Fort Collins", 65, 65, "I-25",
               "I-25 exit 210 (Colfax) to exit 269 (SH 14) = 59 mi, plus city streets"),
    KnownRoute("80203", "80903", "Denver - Colorado Springs", 70, 68, "I-25",
               "I-25 exit 210 to exit 141 (Cimarron St) = 69 mi"),
    KnownRoute("80203", "81003", "Denver - Pueblo", 112, 105, "I-25",
               "I-25 exit 210 to exit 98 (1st St) = 112 mi"),
    KnownRoute("80903", "81003", "Colorado Springs - Pueblo", 45, 44, "I-25",
               "I-25 exit 141 to exit 98 = 43 mi, plus city streets"),
    KnownRoute("81003", "81082", "Pueblo - Trinidad", 87, 80, "I-25",
               "I-25 exit 98 to exit 13 (Main St) = 85 mi, plus city streets"),
    KnownRoute("80203", "80104", "Denver - Castle Rock", 30, 33, "I-25",
               "I-25 exit 210 to exit 182 (Wilcox St) = 28 mi, plus city streets"),
    KnownRoute("80203", "80537", "Denver - Loveland", 50, 55, "I-25, US 34",
               "I-25 exit 210 to exit 257 (US 34) = 47 mi, plus US 34 into town"),
    KnownRoute("80203", "80302", "Denver - Boulder", 29, 35, "US 36",
               "US 36 (Denver-Boulder Turnpike) from I-25 to Baseline Rd is about 25 mi, plus city streets"),
    KnownRoute("80203", "80828", "Denver - Limon", 88, 82, "I-70",
               "I-70 exit 274 (I-25) to exit 359 (Limon) = 85 mi, plus city streets"),
    KnownRoute("80203", "80751", "Denver - Sterling", 128, 120, "I-70, I-76",
               "I-76 mile 0 (I-70 exit 269) to exit 125 (Sterling) = 125 mi, plus access"),
    KnownRoute("80203", "81657", "Denver - Vail", 100, 100, "I-70",
               "I-70 exit 274 to exit 176 (Vail) = 98 mi, plus city streets"),
    KnownRoute("80203", "81601", "Denver - Glenwood Springs", 158, 155, "I-70",
               "I-70 exit 274 to exit 116 (Glenwood Springs) = 158 mi"),
    KnownRoute("80203", "81501", "Denver - Grand Junction", 245, 235, "I-70",
               "I-70 exit 274 to exit 31 (Horizon Dr) = 243 mi, plus city streets"),
    # Connecticut: I-91, I-95, I-84 and CT 9.
    KnownRoute("06103", "06510", "Hartford - New Haven", 40, 40, "I-91",
               "I-91 from New Haven (mile 0) to downtown Hartford is about 36 mi, plus city streets"),
    KnownRoute("06510", "06604", "New Haven - Bridgeport", 20, 24, "I-95",
               "I-95 from the I-91 junction (mile 47) to downtown Bridgeport (mile 27) = 20 mi"),
    KnownRoute("06510", "06901", "New Haven - Stamford", 40, 42, "I-95",
               "I-95 mile 47 to downtown Stamford (mile 7) = 40 mi"),
    KnownRoute("06510", "06320", "New Haven - New London", 50, 50, "I-95",
               "I-95 along the shore; published figure, mileposts not checked"),
    KnownRoute("06103", "06810", "Hartford - Danbury", 60, 60, "I-84",
               "I-84 from Danbury (about mile 5) to downtown Hartford (about mile 52) = 47 mi, plus access"),
    KnownRoute("06103", "06901", "Hartford - Stamford", 80, 82, "I-91, I-95",
               "Hartford - New Haven 40 mi plus New Haven - Stamford 40 mi"),
    KnownRoute("06103", "06051", "Hartford - New Britain", 10, 15, "CT 9",
               "CT 9 expressway from I-84 in Hartford to downtown New Britain, about 9 mi, plus city streets"),
)
