// Throws and catches N C++ exceptions (libstdc++ fires its USDT probe libstdcxx:throw for each one).
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

int main(int argc, char **argv)
{
    int n = argc > 1 ? std::atoi(argv[1]) : 3, caught = 0;
    for (int i = 0; i < n; i++) {
        try { throw std::runtime_error("linuxtrace"); }
        catch (const std::exception &) { caught++; }
    }
    std::printf("caught=%d\n", caught);
    return 0;
}
