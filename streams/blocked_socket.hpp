// Cuts rtspsrc's connection to a camera when a teardown cannot finish.
//
// Why: rtspsrc cannot be interrupted while it reads an RTSP message (GstRTSPConnection stops
// honouring its cancellable once a message's first byte arrived, so that it never leaves a
// message half read). A camera that trickles a reply one byte a second, or sends header lines
// forever, keeps that read going for as long as it likes: going to NULL waits on it, and with
// endless headers the message grows without bound. Shutting the socket down ends the read (EOF),
// rtspsrc gives up, and the teardown completes. shutdown(), not close(): the fd stays rtspsrc's.
//
// Which socket, two ways (Linux only):
// - The thread is blocked in a call: /proc/self/task/<tid>/syscall names it and its arguments
//   (poll/ppoll: the pollfd array, read with process_vm_readv on ourselves, so a stale pointer
//   gives an error, never a crash; read/recv*: the fd).
// - The thread is busy (a reply that never ends arrives faster than it is parsed, so it is never
//   seen in a call): the socket noted when rtspsrc sent its first request on the connection
//   (note_connection, from "before-send"). A new connection has sent nothing yet; of the TCP
//   sockets to the camera's port that have sent nothing, those claimed by another pipeline are
//   excluded, and a socket is cut only when exactly one candidate is left.
// Only a connected TCP socket whose peer port is the camera's is ever shut down.
//
// Threads: any. `tid` must be a thread of this process.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace vw::streams {

// From rtspsrc's thread, just before it sends a request: notes the connection it is about to use
// for `owner` (a unique id per pipeline) if it is new. Cheap when nothing changed.
void note_connection(std::uintptr_t owner, std::uint16_t peer_port);

// Cuts `owner`'s connection (the one `tid` is blocked on, else the noted one). Returns whether
// a socket was shut down.
bool cut_connection(std::uintptr_t owner, pid_t tid, std::uint16_t peer_port);

// The pipeline is gone: its notes are dropped.
void forget_connections(std::uintptr_t owner);

}  // namespace vw::streams
