# The month of the mi-score cases 0600–0605 (DOMAIN.md §9.3 figures): a DIP catalog with two groups, an
# auxiliary subtype and a level-2 coefficient; params (point value 8, level 3 = 1.05, DIP20 linear high cases, a 20%
# quota, one hospital override, one per-diem category); a hospital registry. cases.ndjson is commented in 0600/cmd.
mi-catalog import dip cat.ndjson --name dip-test --db mi.db 2>/dev/null &&
  mi-catalog import params params.toml --name params-t --db mi.db &&
  mi-catalog import hospitals hospitals.csv --name hosp-t --db mi.db
