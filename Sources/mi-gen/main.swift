import MICommandLine

Entry.main(MIGen.self)
