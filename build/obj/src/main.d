build/obj/src/main.o: src/main.c src/cmd/cmd.h src/cmd/commands.def \
 src/common/err.h src/common/util.h src/common/term.h
src/cmd/cmd.h:
src/cmd/commands.def:
src/common/err.h:
src/common/util.h:
src/common/term.h:
