/* Opens the file named in argv[1] with O_RDONLY|O_NOFOLLOW|O_NOATIME|O_CLOEXEC: a tracing test checks that
 * syscalls:sys_enter_openat's flags field carries exactly these bits. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	int fd = openat(AT_FDCWD, argc > 1 ? argv[1] : "/etc/hostname", O_RDONLY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : 1;
}
