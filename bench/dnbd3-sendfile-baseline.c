/*
 * A minimal dnbd3 server doing per GET_BLOCK what the reference dnbd3-server does (src/server/
 * net.c): reply header sent with MSG_MORE, then a blocking sendfile() from the image; one thread
 * per connection, SO_SNDBUF raised to at least 1 MiB. One image, no checks, no other commands:
 * it only gives bench/dnbd3-server.sh a sendfile ceiling on this machine, since the reference
 * itself cannot be built here (its sources cannot be fetched).
 *
 *   cc -O2 -pthread -o baseline dnbd3-sendfile-baseline.c && ./baseline PORT IMAGE_FILE NAME
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *path, *name;
static uint64_t vsize;

struct __attribute__((packed)) request { uint16_t magic, cmd; uint32_t size; uint64_t offset, handle; };
struct __attribute__((packed)) reply { uint16_t magic, cmd; uint32_t size; uint64_t handle; };

static int recv_all(int s, void *b, size_t n) { return recv(s, b, n, MSG_WAITALL) == (ssize_t)n; }

static void *serve(void *arg)
{
	int s = (int)(intptr_t)arg, fd = open(path, O_RDONLY), one = 1, buf = 1 << 20;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
	struct request rq;
	char payload[1000];
	if (!recv_all(s, &rq, sizeof rq) || rq.size > sizeof payload || !recv_all(s, payload, rq.size)) goto out;
	size_t nl = strlen(name) + 1, pl = 2 + nl + 2 + 8;
	char msg[sizeof(struct reply) + 1000];
	struct reply rp = { 0x7273, 2, (uint32_t)pl, rq.handle };
	uint16_t v = 3, rid = 1;
	memcpy(msg, &rp, sizeof rp);
	memcpy(msg + 16, &v, 2); memcpy(msg + 18, name, nl); memcpy(msg + 18 + nl, &rid, 2); memcpy(msg + 20 + nl, &vsize, 8);
	if (send(s, msg, 16 + pl, 0) != (ssize_t)(16 + pl)) goto out;
	while (recv_all(s, &rq, sizeof rq)) {
		uint64_t off = rq.offset & ((1ULL << 56) - 1);
		rp.cmd = rq.cmd; rp.size = rq.cmd == 1 ? rq.size : 0; rp.handle = rq.handle;
		if (send(s, &rp, sizeof rp, rq.cmd == 1 && rq.size ? MSG_MORE : 0) != sizeof rp) break;
		if (rq.cmd != 1) continue;
		off_t o = (off_t)off;
		size_t left = rq.size;
		while (left > 0) {
			ssize_t n = sendfile(s, fd, &o, left);
			if (n <= 0) goto out;
			left -= (size_t)n;
		}
	}
out:
	close(fd);
	close(s);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4) { fprintf(stderr, "usage: %s PORT IMAGE_FILE NAME\n", argv[0]); return 2; }
	path = argv[2]; name = argv[3];
	struct stat st;
	if (stat(path, &st) != 0) { perror(path); return 1; }
	vsize = ((uint64_t)st.st_size + 4095) & ~4095ULL;
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 512)) { perror("listen"); return 1; }
	for (;;) {
		int s = accept(ls, NULL, NULL);
		if (s < 0) continue;
		pthread_t t;
		pthread_create(&t, NULL, serve, (void *)(intptr_t)s);
		pthread_detach(t);
	}
}
