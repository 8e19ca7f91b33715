/* /init of the serving Linux guest (bench/linux-guest/serve.cpio.gz; make bench-http, make bench-nic):
 * statically linked. Loads the NIC modules listed in /modules.list (in that order), gives the first
 * non-loopback interface the address of its argument (`-- serve 10.79.0.2/24`), and serves what
 * Apps/HttpServer serves, with Linux's own TCP:
 *   port 80    nginx (the same page, /www/index.html; /etc/nginx/nginx.conf)
 *   port 7     TCP echo, a thread per connection (the app's echo port)
 *   port 8080  POST with Content-Length: the body echoed back (the app's POST /), keep-alive
 *   port 5201  iperf3 -s
 * With /app/aspnet in the initramfs (aspnet.cpio.gz, make bench-aspnet) it runs that instead of all of the above:
 * Apps/AspNetMinimal as a NativeAOT linux-x64 binary, current directory /app, with the words after the address
 * as its arguments (`-- serve 10.79.0.2/24 --Logging:LogLevel:Microsoft.AspNetCore=Warning`).
 * Prints "SERVING <interface> <address>" once port 80 accepts connections, then reaps children forever. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* insmod: the raw module image through init_module(2) (Debian ships uncompressed .ko files). */
static void load_modules(void)
{
    FILE *list = fopen("/modules.list", "r");
    char path[512];
    if (!list) return;
    while (fgets(path, sizeof path, list)) {
        path[strcspn(path, "\n")] = 0;
        if (!path[0]) continue;
        int fd = open(path, O_RDONLY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) { say("insmod %s: %s", path, strerror(errno)); continue; }
        char *image = malloc(st.st_size);
        ssize_t got = read(fd, image, st.st_size);
        close(fd);
        if (got != st.st_size || (syscall(SYS_init_module, image, (unsigned long)st.st_size, "") != 0 && errno != EEXIST))
            say("insmod %s: %s", path, strerror(errno));
        free(image);
    }
    fclose(list);
}

static int set_flags_up(int s, const char *name)
{
    struct ifreq r = {0};
    snprintf(r.ifr_name, IFNAMSIZ, "%s", name);
    if (ioctl(s, SIOCGIFFLAGS, &r) != 0) return -1;
    r.ifr_flags |= IFF_UP | IFF_RUNNING;
    return ioctl(s, SIOCSIFFLAGS, &r);
}

static int set_address(int s, const char *name, unsigned long request, in_addr_t a)
{
    struct ifreq r = {0};
    snprintf(r.ifr_name, IFNAMSIZ, "%s", name);
    struct sockaddr_in *sin = (struct sockaddr_in *)&r.ifr_addr;
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = a;
    return ioctl(s, request, &r);
}

/* The first interface other than lo (drivers may probe asynchronously: wait up to 10 s), configured. */
static int configure_network(const char *cidr, char *ifname)
{
    char address[64];
    snprintf(address, sizeof address, "%s", cidr);
    char *slash = strchr(address, '/');
    int prefix = slash ? atoi(slash + 1) : 24;
    if (slash) *slash = 0;
    in_addr_t a = inet_addr(address), mask = prefix ? htonl(0xffffffffu << (32 - prefix)) : 0;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    set_flags_up(s, "lo");
    for (int tries = 0; tries < 100 && !ifname[0]; tries++) {
        struct if_nameindex *names = if_nameindex();
        for (struct if_nameindex *n = names; n && n->if_index; n++)
            if (strcmp(n->if_name, "lo") != 0) { snprintf(ifname, IFNAMSIZ, "%s", n->if_name); break; }
        if_freenameindex(names);
        if (!ifname[0]) usleep(100000);
    }
    if (!ifname[0]) { say("serve: no network interface (module missing?)"); return -1; }
    if (set_address(s, ifname, SIOCSIFADDR, a) != 0 || set_address(s, ifname, SIOCSIFNETMASK, mask) != 0
        || set_flags_up(s, ifname) != 0) {
        say("serve: configuring %s: %s", ifname, strerror(errno));
        return -1;
    }
    close(s);
    return 0;
}

static int listen_on(int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
    if (bind(s, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(s, 511) != 0) {
        say("serve: port %d: %s", port, strerror(errno));
        exit(1);
    }
    return s;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return -1;
        p += w;
        n -= w;
    }
    return 0;
}

static void *echo_connection(void *arg)
{
    int fd = (int)(long)arg;
    static __thread char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (write_all(fd, buf, n) != 0) break;
    close(fd);
    return NULL;
}

/* POST with Content-Length, answered 200 with the body; anything else ends the connection. */
static void *post_echo_connection(void *arg)
{
    int fd = (int)(long)arg;
    char head[8192], *body = NULL;
    size_t have = 0, capacity = 0;
    for (;;) {
        char *end;
        while (!(end = memmem(head, have, "\r\n\r\n", 4))) {
            if (have == sizeof head) goto out;
            ssize_t n = read(fd, head + have, sizeof head - have);
            if (n <= 0) goto out;
            have += n;
        }
        size_t head_len = end + 4 - head, length = 0;
        for (char *line = head; line < end; line = strstr(line, "\r\n") + 2)
            if (strncasecmp(line, "content-length:", 15) == 0) length = strtoull(line + 15, NULL, 10);
        if (length > capacity) {   /* one buffer per connection, kept: only the first large body pays for its pages */
            free(body);
            body = malloc(capacity = length);
            if (!body) goto out;
        }
        size_t got = have - head_len < length ? have - head_len : length;
        memcpy(body, head + head_len, got);
        memmove(head, head + head_len + got, have - head_len - got);
        have -= head_len + got;
        while (got < length) {
            ssize_t n = read(fd, body + got, length - got);
            if (n <= 0) goto out;
            got += n;
        }
        char status[128];
        int sl = snprintf(status, sizeof status,
                          "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %zu\r\n\r\n", length);
        if (write_all(fd, status, sl) != 0 || write_all(fd, body, length) != 0) goto out;
    }
out:
    free(body);
    close(fd);
    return NULL;
}

struct server { int fd; void *(*connection)(void *); };

static void *accept_loop(void *arg)
{
    struct server *s = arg;
    for (;;) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0) continue;
        int one = 1;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, s->connection, (void *)(long)c) != 0) close(c);
        pthread_attr_destroy(&attr);
    }
    return NULL;
}

static void serve(int port, void *(*connection)(void *))
{
    static struct server servers[4];
    static int count;
    struct server *s = &servers[count++];
    s->fd = listen_on(port);
    s->connection = connection;
    pthread_t t;
    pthread_create(&t, NULL, accept_loop, s);
}

static pid_t spawn(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        char *env[] = { "PATH=/usr/sbin:/usr/bin", "HOME=/", "TMPDIR=/tmp", NULL };
        if (strncmp(argv[0], "/app/", 5) == 0 && chdir("/app") != 0) say("serve: chdir /app: %s", strerror(errno));
        execve(argv[0], argv, env);
        say("serve: exec %s: %s", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

static void wait_listening(int port)
{
    for (int tries = 0; tries < 600; tries++) {   /* 60 s: ASP.NET's start under TCG on a loaded host */
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int ok = connect(s, (struct sockaddr *)&sin, sizeof sin) == 0;
        close(s);
        if (ok) return;
        usleep(100000);
    }
    say("serve: nothing listens on port %d", port);
}

int main(int argc, char **argv)
{
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    /* `serve CIDR [app arguments...]`; any other command line: the address is the last word. */
    int serve_words = argc > 2 && strcmp(argv[1], "serve") == 0;
    const char *cidr = serve_words ? argv[2] : argc > 1 ? argv[argc - 1] : "10.79.0.2/24";
    load_modules();
    char ifname[IFNAMSIZ] = "";
    if (configure_network(cidr, ifname) != 0) {
        say("serve: FAILED");
        for (;;) pause();
    }
    signal(SIGPIPE, SIG_IGN);
    if (access("/app/aspnet", X_OK) == 0) {
        char *app[32] = { "/app/aspnet" };
        for (int i = 3, n = 1; serve_words && i < argc && n < 31; i++) app[n++] = argv[i];
        spawn(app);
    } else {
        serve(7, echo_connection);
        serve(8080, post_echo_connection);
        spawn((char *[]){ "/usr/bin/iperf3", "-s", NULL });   /* not probed: iperf3 logs every probe as a failed test */
        spawn((char *[]){ "/usr/sbin/nginx", "-c", "/etc/nginx/nginx.conf", NULL });
    }
    wait_listening(80);
    say("SERVING %s %s", ifname, cidr);
    for (;;) {
        int status;
        pid_t pid = wait(&status);
        if (pid > 0) say("serve: child %d ended (status %d)", pid, status);
        else pause();
    }
}
