import MICommandLine

Entry.main(MICapita.self)
