build/obj/src/cmd/table.o: src/cmd/table.c src/cmd/cmd.h \
 src/cmd/commands.def src/common/util.h
src/cmd/cmd.h:
src/cmd/commands.def:
src/common/util.h:
