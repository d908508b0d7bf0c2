build/obj/src/cmd/cmd_help.o: src/cmd/cmd_help.c src/cmd/cmd.h \
 src/cmd/commands.def src/common/err.h src/common/util.h
src/cmd/cmd.h:
src/cmd/commands.def:
src/common/err.h:
src/common/util.h:
