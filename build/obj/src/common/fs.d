build/obj/src/common/fs.o: src/common/fs.c src/common/fs.h \
 src/common/arena.h src/common/util.h src/common/str.h src/common/buf.h \
 src/common/err.h
src/common/fs.h:
src/common/arena.h:
src/common/util.h:
src/common/str.h:
src/common/buf.h:
src/common/err.h:
