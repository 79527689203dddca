using System.Diagnostics;

namespace LinuxTrace;

public enum TraceSessionState
{
    Running,
    Stopped,
}
