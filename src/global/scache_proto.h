/* scache_proto - the connection cache protocol shared by smtp and scache */
#ifndef SCACHE_PROTO_H
#define SCACHE_PROTO_H

/*
 * One request per connection on private/scache. The client sends one byte,
 * SCACHE_WITH_FD with a descriptor attached (fdpass.h) or SCACHE_NO_FD
 * without, then an attribute list: request=save (label, endpoint, props,
 * ttl in seconds) or request=find (label). scache answers one byte,
 * SCACHE_WITH_FD with the found descriptor or SCACHE_NONE, then an
 * attribute list: status (0 done or found, 1 not found or refused) and, for
 * a found connection, endpoint and props. The descriptor byte travels first
 * so buffered reads of the list never swallow it.
 */
#define SCACHE_SERVICE		"scache"
#define SCACHE_WITH_FD		'F'
#define SCACHE_NO_FD		'Q'
#define SCACHE_NONE		'N'
#define SCACHE_REQ_SAVE		"save"
#define SCACHE_REQ_FIND		"find"

/*
 * TLS sessions (smtp_tls_cache.c, scache_sess.c), same framing without a
 * descriptor: request=sess_save (label, session, ttl) or request=sess_find
 * (label); the answer has status and, when found, session. A session is
 * the hex of its DER form, at most SCACHE_SESSION_MAX characters.
 */
#define SCACHE_REQ_SESS_SAVE	"sess_save"
#define SCACHE_REQ_SESS_FIND	"sess_find"
#define SCACHE_SESSION_MAX	32768
#define SCACHE_SESSION_ATTR_MAX	(SCACHE_SESSION_MAX + 64)	/* "session=" and more */

#endif
