import MICommandLine

Entry.main(MIClear.self)
