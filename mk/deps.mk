# Debian packages the project needs; `make deps` installs the missing ones.
DEB_PKGS := gcc make pkg-config libcjson-dev check libslirp-dev libglib2.0-dev \
            libcapstone-dev libpcap-dev libsdl2-dev libssl-dev gcc-arm-none-eabi \
            libnewlib-arm-none-eabi picolibc-arm-none-eabi qemu-system-arm \
            gdb-multiarch tshark python3

deps:
	$(Q)./mk/install-deps.sh $(DEB_PKGS)
