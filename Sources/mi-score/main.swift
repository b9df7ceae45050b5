import MICommandLine

Entry.main(MIScore.self)
