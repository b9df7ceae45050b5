import MICommandLine

Entry.main(MICatalog.self)
