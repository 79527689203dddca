using System.Diagnostics;

namespace LinuxTrace;

public enum TraceSessionState
{
    Running,
    Stopped,

    /// <summary>Left recording after its process's end (Start-Trace -Detached): stopped by name from any process.</summary>
    Detached,
}
