import MICore
