using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>The formats Export-TraceData writes.</summary>
public enum TraceDataFormat { TraceDat, Csv, Json }
