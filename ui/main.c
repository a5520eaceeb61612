/* glitchbox-ui: the SDL2 front end (see ui.h). */
#include "ui.h"

int main(int argc, char **argv)
{
    return ui_main(argc, argv);
}
