import MICommandLine

Entry.main(MIConvCommand.self)
