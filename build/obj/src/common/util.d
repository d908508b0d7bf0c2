build/obj/src/common/util.o: src/common/util.c src/common/util.h
src/common/util.h:
