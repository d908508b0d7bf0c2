build/obj/src/common/err.o: src/common/err.c src/common/err.h \
 src/common/util.h
src/common/err.h:
src/common/util.h:
