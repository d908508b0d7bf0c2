build/obj/src/common/str.o: src/common/str.c src/common/str.h \
 src/common/util.h
src/common/str.h:
src/common/util.h:
