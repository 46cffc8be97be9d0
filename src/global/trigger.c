/*
 * trigger - wake-up datagrams
 * DESCRIPTION
 *	cleanup wakes qmgr after every message; a datagram is one system
 *	call, and qmgr folds a burst of them into one scan. If qmgr is not
 *	running the file simply waits in incoming/ for its next start.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "trigger.h"
#include "sockutil.h"

/* trigger_send - fire and forget */

int     trigger_send(const char *service_path, const char *buf, size_t len)
{
    static int fd = -1;
    struct sockaddr_un sun;

    if (strlen(service_path) >= sizeof(sun.sun_path)) {
	errno = ENAMETOOLONG;
	return (-1);
    }
    if (fd < 0 && (fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
	return (-1);
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    strcpy(sun.sun_path, service_path);
    if (sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *) &sun, sizeof(sun)) < 0)
	return (-1);
    return (0);
}
