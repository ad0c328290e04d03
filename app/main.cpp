#include "Cli.h"

int main(int argc, char** argv)
{
    return atlas::app::run(argc, argv);
}
