using System.Collections.Concurrent;
using System.Diagnostics;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

public enum TraceSessionState
{
    Running,
    Stopped,
}
