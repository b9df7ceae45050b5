import MICommandLine

Entry.main(MIAudit.self)
