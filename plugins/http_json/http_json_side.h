#pragma once
// http-json: a side whose record is string members of a JSON resource served over HTTP(S),
// e.g. a gateway's `GET /pairings/device-42` answering {"device_id": "...", "token": "..."}.
//
// Config keys (a `[seam.sides.NAME]` table with plugin = "http-json"; values are strings):
//   url                 required; http://host[:port]/path?query or https://...; no userinfo,
//                       no fragment.
//   pointer             RFC 6901 pointer to the object member holding the kind's primary field
//                       (shorthand for `fields.<primary>`), as for json-file.
//   [...fields]         `field = "/pointer"` for each field of the kind the resource holds (a
//                       pairing: `token = "/token"`, `device_id = "/device_id"`). At least one
//                       field must be placed. No two fields may share a member, nor may one's
//                       member hold another's ("/a" and "/a/b"); errors name the field's line.
//   restart_marker      optional RFC 6901 pointer to the member of the same GET response that
//                       identifies the run of the component behind the side (a boot id, a start
//                       time): Observation::restart_marker. It may not be a field's member, nor
//                       hold or sit inside one; errors name its line.
//   method              the write method: "PUT" (default), "POST" or "PATCH".
//   remove              "delete" (default: DELETE the url) or "null" (write the document back
//                       with null at every mapped pointer).
//   ca_file             PEM CA certificate(s) trusted besides the system store (https only).
//   header_from_env     "Name: ENV_VAR": one header whose value is read from the environment
//                       at request time.
//   header_from_file    "Name: path": one header whose value is the file's first line, read at
//                       request time (relative paths: from the config file's directory).
//   connect_timeout_ms  digits, default "2000": the TCP connection must be up by then.
//   timeout_ms          digits, default "2000": the whole exchange must be done by then.
//   body_limit          digits (bytes), default "1048576": larger responses are refused.
// There is no option to skip certificate verification. Fields() lists the mapped fields in the
// kind's order.
//
// Connections: idle connections are shared by every side of one origin in the process and
// reused while the server allows keep-alive; one the server closed before answering is retried once on a fresh
// connection (plugins/common/http_client.h).
//
// Observe: one GET of url. 404 is missing. 2xx with a JSON body: each mapped field is the string
// at its pointer (absent when the member is absent or null; unreadable when the pointer goes
// through a non-object or the value is not a string, the reason naming that pointer); missing
// when no mapped field is present. Unreadable, with a one-line reason that starts
// "GET <url>: ": any other status
// ("500 Internal Server Error"; 3xx "302 Found (redirects are not followed)"), a timeout,
// a refused connection, a TLS failure, a body over the limit, a body that is not JSON. Reasons
// never hold a header value or the response body: a status shows with its standard phrase,
// never the server's own, and a Content-Type only as its media type (no parameters, printable
// ASCII, at most 64 characters).
// Change marker: a strong ETag when the server sends one; else Last-Modified plus the SHA-256
// of the body; else the SHA-256 of the body; "absent" for a 404. A weak ETag (W/"...") counts
// as none: it never satisfies If-Match.
// Restart marker (with `restart_marker`): the value at that pointer in the same GET's document,
// a string as is, a number as its decimal text; "" when the member is absent or null, and after
// a 404. The observation is unreadable ("GET <url>: restart_marker <pointer> ...", never the
// value) when the walk meets a non-object, the value is an object, array or boolean, or the
// text is over 256 bytes or not printable ASCII. A marker that is a time, RFC 3339
// ("2026-11-29T20:50:22Z", a fraction and an offset allowed) or ten digits of Unix seconds, is
// when the component started: changed_at_us. Writes leave the member as fetched; it counts in
// the body digest like any other member.
//
// Write / Remove: GET again and refuse (FailedPrecondition, nothing sent) if the marker differs
// from `expected` or some mapped member could not be set; then ONE request: the fetched
// document (`{}` after a 404) with every mapped field present in the record set at its pointer
// (intermediate objects created; only a string or null is ever replaced; mapped fields absent
// from the record are left as they are; a record holding none sends nothing) is sent whole
// with `method`, conditional on what the GET saw: `If-None-Match: *` after a 404, else
// `If-Match: <etag>` with a strong ETag, else `If-Unmodified-Since: <Last-Modified>`. 2xx is
// success; 412 is FailedPrecondition ("changed since it was observed"); other statuses and
// transport failures are errors naming method, url and status. Remove with remove = "delete"
// sends DELETE (with the same precondition) unless every mapped field is already absent; a 404
// to it is success (already gone). With "null" it writes null at every mapped pointer that
// holds a string, in one request (absent members stay absent; nothing is sent when none does).
// Remaining window: Last-Modified has one-second resolution, so a change within the same
// second as the GET's version passes If-Unmodified-Since; and a server that sends neither
// validator gets no precondition at all: the compare is the client's own (the re-GET's body
// digest), and a change between that GET and the write is overwritten. Servers should send a
// strong ETag and honour If-Match.
//
// CheckWritable: sends only a GET: FailedPrecondition when it fails (connection, TLS, status
// other than 2xx/404, a document a Write would refuse).
//
// No I/O happens in the factory.

#include <memory>

#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"

namespace seam {

// SideFactory for "http-json".
Result<std::unique_ptr<Side>> MakeHttpJsonSide(SideOptions& options);

}  // namespace seam
