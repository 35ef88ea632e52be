"""Claims: trip-log values, claim rules, fee schedule, 837P and CMS-1500 output, 835 remittance parsing."""
