using System.Management.Automation;
using LinuxTrace.Engine.Export;
using LinuxTrace.Engine.TraceDat;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>The formats Export-TraceData writes.</summary>
public enum TraceDataFormat { TraceDat, Csv, Json }
