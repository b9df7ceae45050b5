import MICommandLine

Entry.main(MIGroup.self)
