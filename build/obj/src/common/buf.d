build/obj/src/common/buf.o: src/common/buf.c src/common/buf.h \
 src/common/str.h src/common/util.h
src/common/buf.h:
src/common/str.h:
src/common/util.h:
