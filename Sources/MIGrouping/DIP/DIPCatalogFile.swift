import MICore

extension DIPCatalogReader {
  /// Reads a catalog file as `mi-catalog import dip` takes it: NDJSON (`.ndjson`, `.jsonl`, `.ndjson.gz`, `.json`)
  /// of catalog-entry records, or else a CSV/TSV table of groups; the catalog is checked before it is returned.
  public static func read(
    _ file: String, name: String, defaultScale: Int64, procClasses: ProcClassTable
  ) throws(MIError) -> DIPCatalog {
    let lower = file.lowercased()
    var reader = DIPCatalogReader()
    if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson.gz")
      || lower.hasSuffix(".json")
    {
      try SideFile.forEachRecord(file) { (s, _) throws(FieldError) in try reader.add(s) }
    } else {
      for g in try DIPCatalogReader.readTable(file) { reader.addGroup(g) }
    }
    return try reader.catalog(name: name, defaultScale: defaultScale, procClasses: procClasses)
  }
}
