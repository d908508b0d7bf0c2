build/obj/src/common/arena.o: src/common/arena.c src/common/arena.h \
 src/common/util.h src/common/str.h
src/common/arena.h:
src/common/util.h:
src/common/str.h:
