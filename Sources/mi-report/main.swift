import MICommandLine

Entry.main(MIReportCommand.self)
